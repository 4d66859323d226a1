"""The HTTP API at /api/v1/: every router is authenticated by bearer token unless an endpoint says otherwise."""

from ninja import NinjaAPI

from jiliang.core.api_auth import BearerToken

api = NinjaAPI(
    title="jiliang API",
    version="1.0.0",
    description="计量监管平台接口 / jiliang metrology platform API",
    auth=BearerToken(),
    urls_namespace="api",
)
