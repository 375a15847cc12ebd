# autodev: cli messages
