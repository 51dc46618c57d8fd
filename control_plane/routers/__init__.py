"""HTTP routers of the control plane, one concern per module."""
