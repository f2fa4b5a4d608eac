"""Run by the Keystone environment's Python: the users, projects, roles and the log-management
service the tests need (in RegionOne, and a RegionTwo for the console's region menu), in one
process (python-keystoneclient comes with Keystone).

argv: keystone URL, admin password, Venus URL. Prints the ids as JSON."""

import json
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

url, admin_password, venus_url = sys.argv[1:4]
keystone = client.Client(session=session.Session(auth=v3.Password(
    auth_url=url, username="admin", password=admin_password, project_name="admin",
    user_domain_id="default", project_domain_id="default")))
roles = {r.name: r for r in keystone.roles.list()}
projects = {name: keystone.projects.create(name, "default") for name in ("service", "demo", "other")}
users = {}
for name, project, role in (("venus", "service", "service"), ("reader", "demo", "reader"),
                            ("member", "demo", "member"), ("outsider", "other", "member")):
    users[name] = keystone.users.create(name, domain="default", password=f"{name}-password")
    keystone.roles.grant(roles[role], user=users[name], project=projects[project])
service = keystone.services.create("venus", "log-management", description="Venus log management")
for interface in ("public", "internal", "admin"):
    keystone.endpoints.create(service, venus_url, interface=interface, region="RegionOne")
# A second region whose Venus is the same server under another name (another origin for a browser),
# so the console's region menu has somewhere to go.
keystone.regions.create("RegionTwo")
keystone.endpoints.create(service, venus_url.replace("127.0.0.1", "localhost"), interface="public", region="RegionTwo")
print(json.dumps({"projects": {k: v.id for k, v in projects.items()}, "users": {k: v.id for k, v in users.items()}}))
