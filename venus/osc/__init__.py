"""`openstack log …`: Venus's commands in the OpenStack client (osc-lib), found through the service
catalog (service type log-management) and authenticated as every other `openstack` command."""
