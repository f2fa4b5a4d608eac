"""`openstack log …`: Venus's commands in the OpenStack client (osc-lib), found through the service
catalog (service type log-management) and authenticated as every other `openstack` command."""

SERVICE_TYPE = "log-management"  # Venus's in the service catalog (the original's, venus-dashboard's)
