# autodev: doctor messages
