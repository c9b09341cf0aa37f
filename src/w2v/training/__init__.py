"""What the driver knows of training: the engine protocol, the loop, checkpoints."""
