# autodev: bot messages
