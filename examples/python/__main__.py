"""A Python consumer of mesh-serverless: the same shop as examples/typescript/program.ts.

`pulumi_mesh_serverless` is the SDK `pulumi package add ../..` generates from the schema the
component provider serves (schema/pulumi-package.json); the components run in that provider
(Node.js), so the objects, names and checks are the TypeScript ones.
"""

import pulumi
import pulumi_mesh_serverless as mesh

# The platform is installed by other means: `mesh` describes it (every field has a default).
info = {"domain": "shop.example.com"}

namespace = mesh.service.MeshNamespace("shop", mesh=info, deny_by_default=False)

orders = mesh.service.ServerlessService(
    "orders",
    # A MeshNamespace where a namespace goes (or its name, as a string).
    namespace=namespace,
    mesh=info,
    image="ghcr.io/example/orders:1.4.0",
    env={"LOG_LEVEL": "info"},
    scale={"min": 1, "max": 10},
)

mesh.service.ServiceTraffic(
    "orders-canary",
    namespace=namespace,
    mesh=info,
    host="orders-internal",
    subsets=[
        {"name": "stable", "labels": {"version": "1.4.0"}},
        {"name": "canary", "labels": {"version": "1.5.0"}},
    ],
    routes=[
        {
            "destinations": [
                {"subset": "stable", "weight": 90},
                {"subset": "canary", "weight": 10},
            ]
        }
    ],
)

pulumi.export("ordersService", orders.service)
