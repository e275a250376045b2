"""What was applied, read back from the emulator through its AWS APIs (never from our synth output or state).

Regions: those of the emulator's S3 buckets (the platform creates its buckets in
every region it serves) and us-east-1. CloudFront is global. moto drops a
distribution's function associations (docs/local.md), so the viewer function
is the distribution's association when the emulator returns one, else the
account's only CloudFront Function (the newest one when there are several).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import emulator as emu
from .apigw import Cors, HttpApi, Integration, Route
from .hosted_ui import PoolClient, UserPoolInfo
from .jwt_check import JwtAuthorizer
from .response_headers import MANAGED, HeaderRule, rules_of


@dataclass(frozen=True)
class Behavior:
    path_pattern: str  # "*" for the default behaviour
    response_headers_policy_id: str
    cache_policy_id: str
    allowed_methods: tuple[str, ...]
    function_arn: str | None
    #: The response headers policy's rules: an AWS managed one, else the policy applied on the emulator.
    response_headers: tuple[HeaderRule, ...] = ()


@dataclass(frozen=True)
class Site:
    distribution_id: str
    domain: str
    bucket: str
    bucket_region: str
    origin_path: str
    default_root_object: str
    behaviors: tuple[Behavior, ...]  # ordered behaviours first, the default last
    function_name: str | None
    function_code: str | None
    #: The distribution's custom error responses as the emulator returns them (ErrorCode, ResponsePagePath,
    #: ResponseCode, ErrorCachingMinTTL).
    error_responses: tuple[dict[str, Any], ...] = ()


@dataclass
class Applied:
    endpoint: str
    account_id: str
    site: Site | None
    pools: list[UserPoolInfo]
    apis: list[HttpApi]
    app_prefixes: list[str] = field(default_factory=list)


def clients(endpoint: str) -> Callable[..., Any]:
    import boto3

    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=emu.ACCESS_KEY,
            aws_secret_access_key=emu.SECRET_KEY,
        )

    return client


def regions(client: Callable[..., Any]) -> list[str]:
    s3 = client("s3")
    found = {"us-east-1"}
    for bucket in s3.list_buckets().get("Buckets", []):
        try:
            found.add(s3.get_bucket_location(Bucket=bucket["Name"]).get("LocationConstraint") or "us-east-1")
        except Exception:
            continue
    return sorted(found)


def _site(client: Callable[..., Any]) -> Site | None:
    cloudfront = client("cloudfront")
    items = cloudfront.list_distributions().get("DistributionList", {}).get("Items", [])
    if not items:
        return None
    distribution_id = items[0]["Id"]
    config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    origin = config["Origins"]["Items"][0]
    host = origin["DomainName"]  # <bucket>.s3.<region>.amazonaws.com
    bucket, _, rest = host.partition(".s3.")
    bucket_region = rest.split(".amazonaws.com")[0] if rest and not rest.startswith("amazonaws.com") else "us-east-1"

    policies: dict[str, tuple[HeaderRule, ...]] = dict(MANAGED)

    def headers_policy(policy_id: str) -> tuple[HeaderRule, ...]:
        if policy_id and policy_id not in policies:
            policy = cloudfront.get_response_headers_policy(Id=policy_id)["ResponseHeadersPolicy"]
            policies[policy_id] = rules_of(policy["ResponseHeadersPolicyConfig"])
        return policies.get(policy_id, ())

    def behavior(raw: dict[str, Any], pattern: str) -> Behavior:
        functions = [
            f["FunctionARN"]
            for f in raw.get("FunctionAssociations", {}).get("Items", []) or []
            if f.get("EventType") == "viewer-request"
        ]
        return Behavior(
            pattern,
            raw.get("ResponseHeadersPolicyId", ""),
            raw.get("CachePolicyId", ""),
            tuple(raw.get("AllowedMethods", {}).get("Items", ["GET", "HEAD"])),
            functions[0] if functions else None,
            headers_policy(raw.get("ResponseHeadersPolicyId", "")),
        )

    behaviors = [behavior(b, b["PathPattern"]) for b in config.get("CacheBehaviors", {}).get("Items", []) or []]
    behaviors.append(behavior(config["DefaultCacheBehavior"], "*"))
    name = next((b.function_arn.rsplit("/", 1)[1] for b in behaviors if b.function_arn), None)
    if name is None:
        functions = cloudfront.list_functions().get("FunctionList", {}).get("Items", [])
        functions.sort(key=lambda f: str(f.get("FunctionMetadata", {}).get("LastModifiedTime", "")))
        name = functions[-1]["Name"] if functions else None
    code = None
    if name:
        stage = "LIVE" if any(b.function_arn for b in behaviors) else "DEVELOPMENT"
        try:
            code = cloudfront.get_function(Name=name, Stage=stage)["FunctionCode"].read().decode()
        except Exception:
            code = cloudfront.get_function(Name=name, Stage="DEVELOPMENT")["FunctionCode"].read().decode()
    return Site(
        distribution_id=distribution_id,
        domain=(config.get("Aliases", {}).get("Items") or [items[0]["DomainName"]])[0],
        bucket=bucket,
        bucket_region=bucket_region,
        origin_path=origin.get("OriginPath", ""),
        default_root_object=config.get("DefaultRootObject", ""),
        behaviors=tuple(behaviors),
        function_name=name,
        function_code=code,
        error_responses=tuple(config.get("CustomErrorResponses", {}).get("Items", []) or []),
    )


def _pools(client: Callable[..., Any], in_regions: list[str]) -> list[UserPoolInfo]:
    pools = []
    for region in in_regions:
        cognito = client("cognito-idp", region)
        for summary in cognito.list_user_pools(MaxResults=60).get("UserPools", []):
            pool_id = summary["Id"]
            described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
            found = {}
            for item in cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60).get("UserPoolClients", []):
                c = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=item["ClientId"])["UserPoolClient"]
                found[c["ClientId"]] = PoolClient(
                    client_id=c["ClientId"],
                    name=c.get("ClientName", ""),
                    callback_urls=tuple(c.get("CallbackURLs", [])),
                    logout_urls=tuple(c.get("LogoutURLs", [])),
                    flows=tuple(c.get("AllowedOAuthFlows", [])),
                    scopes=tuple(c.get("AllowedOAuthScopes", [])),
                    secret=c.get("ClientSecret") or None,
                    token_revocation=c.get("EnableTokenRevocation", True),
                )
            pools.append(UserPoolInfo(pool_id=pool_id, region=region, domain=described.get("Domain"), clients=found))
    return pools


def jwks_fetcher(endpoint: str, issuer: str) -> Callable[[], dict[str, Any]]:
    """The issuer's JWKS, fetched once: a Cognito issuer's host is the emulator."""
    cache: dict[str, Any] = {}

    def fetch() -> dict[str, Any]:
        if "keys" not in cache:
            if issuer.startswith("https://cognito-idp.") and ".amazonaws.com/" in issuer:
                url = f"{endpoint}/{issuer.rsplit('/', 1)[1]}/.well-known/jwks.json"
            else:
                url = issuer.rstrip("/") + "/.well-known/jwks.json"
            with urllib.request.urlopen(url, timeout=5) as response:
                cache.update(json.loads(response.read()))
        return cache

    return fetch


def _items(call: Callable[..., dict], **params: Any) -> list[dict]:
    """Every item of an API Gateway v2 listing, following ``NextToken`` (AWS pages them; moto 5.2 does not)."""
    items: list[dict] = []
    while True:
        page = call(**params)
        items += page.get("Items", [])
        if not page.get("NextToken"):
            return items
        params = {**params, "NextToken": page["NextToken"]}


def _apis(client: Callable[..., Any], endpoint: str, account_id: str, in_regions: list[str]) -> list[HttpApi]:
    found = []
    for region in in_regions:
        gateway = client("apigatewayv2", region)
        for api in _items(gateway.get_apis):
            if api.get("ProtocolType") != "HTTP":
                continue
            api_id = api["ApiId"]
            routes = [
                Route(
                    route_key=r["RouteKey"],
                    target=r.get("Target"),
                    authorization_type=r.get("AuthorizationType", "NONE"),
                    authorizer_id=r.get("AuthorizerId"),
                    scopes=tuple(r.get("AuthorizationScopes", []) or []),
                )
                for r in _items(gateway.get_routes, ApiId=api_id)
            ]
            integrations = {
                i["IntegrationId"]: Integration(
                    integration_id=i["IntegrationId"],
                    integration_type=i.get("IntegrationType", ""),
                    uri=i.get("IntegrationUri", ""),
                    payload_format_version=i.get("PayloadFormatVersion", "2.0"),
                    timeout_ms=int(i.get("TimeoutInMillis", 30000)),
                )
                for i in _items(gateway.get_integrations, ApiId=api_id)
            }
            authorizers = {}
            for authorizer_id in {r.authorizer_id for r in routes if r.authorizer_id}:
                a = gateway.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)  # moto has no GetAuthorizers
                if a.get("AuthorizerType") == "JWT":
                    issuer = a["JwtConfiguration"]["Issuer"]
                    authorizers[authorizer_id] = JwtAuthorizer(
                        issuer=issuer,
                        audiences=tuple(a["JwtConfiguration"].get("Audience", [])),
                        jwks=jwks_fetcher(endpoint, issuer),
                    )
            raw = api.get("CorsConfiguration")
            cors = (
                Cors(
                    allow_origins=tuple(raw.get("AllowOrigins", [])),
                    allow_methods=tuple(raw.get("AllowMethods", [])),
                    allow_headers=tuple(raw.get("AllowHeaders", [])),
                    expose_headers=tuple(raw.get("ExposeHeaders", [])),
                    max_age=raw.get("MaxAge"),
                    allow_credentials=bool(raw.get("AllowCredentials")),
                )
                if raw
                else None
            )
            found.append(
                HttpApi(
                    api_id=api_id,
                    name=api.get("Name", api_id),
                    region=region,
                    account_id=account_id,
                    endpoint=api.get("ApiEndpoint") or f"https://{api_id}.execute-api.{region}.amazonaws.com",
                    routes=routes,
                    integrations=integrations,
                    authorizers=authorizers,
                    cors=cors,
                )
            )
    return found


def app_prefixes(client: Callable[..., Any], site: Site | None) -> list[str]:
    """The app prefixes in the UI bucket: the folders under the site's origin path that hold a config.json."""
    if site is None:
        return []
    s3 = client("s3", site.bucket_region)
    origin_folder = site.origin_path.strip("/") + "/" if site.origin_path.strip("/") else ""
    prefixes = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=site.bucket, Prefix=origin_folder, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            folder = common["Prefix"]  # <origin folder><app>/
            try:
                s3.head_object(Bucket=site.bucket, Key=f"{folder}config.json")
            except Exception:
                continue
            prefixes.append(folder[len(origin_folder) :].rstrip("/"))
    return sorted(prefixes)


def discover(endpoint: str) -> Applied:
    client = clients(endpoint)
    account_id = client("sts").get_caller_identity()["Account"]
    in_regions = regions(client)
    site = _site(client)
    return Applied(
        endpoint=endpoint,
        account_id=account_id,
        site=site,
        pools=_pools(client, in_regions),
        apis=_apis(client, endpoint, account_id, in_regions),
        app_prefixes=app_prefixes(client, site),
    )
