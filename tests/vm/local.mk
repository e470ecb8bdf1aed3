# Filled in by the VM lane.
