# autodev: submit messages
