"""Who a request comes from: the identity, static API tokens, and (with the OpenStack
integration) Keystone tokens and policy."""
