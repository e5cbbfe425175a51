import { strict as assert } from "assert";
import * as h from "../../harness";
import { MeshNamespace } from "../../../components/kubernetes/service/mesh-namespace";
import { spec, T } from "./helpers";

const LIMITS = "kubernetes:core/v1:LimitRange";
const quota = { hard: { "requests.cpu": "4", "limits.memory": "8Gi" } };

describe("kubernetes/service MeshNamespace container defaults and egress", () => {
  beforeEach(() => h.reset());

  it("a quota brings a LimitRange, so pods that declare no resources are still admitted", async () => {
    const ns = new MeshNamespace("fn", { quota });
    await h.settled();
    const lr = h.get(LIMITS, "fn/fn-limits");
    assert.deepEqual(lr.inputs.spec, {
      limits: [
        {
          type: "Container",
          defaultRequest: { cpu: "100m", memory: "128Mi" },
          default: { cpu: "1", memory: "256Mi" },
        },
      ],
    });
    assert.equal(h.parentOf(lr)?.name, "fn");
    assert.deepEqual(h.dependencies(lr), ["kubernetes:core/v1:Namespace::fn"]);
    assert.equal(ns.limitRange !== undefined, true);
    assert.deepEqual(await h.expectValidManifests(), []);
  });

  it("takes the caller's defaults, or none with limits: false", async () => {
    new MeshNamespace("a", {
      quota,
      limits: { name: "small", defaultRequest: { memory: "64Mi" }, default: { memory: "128Mi" } },
    });
    new MeshNamespace("b", { quota, limits: false });
    new MeshNamespace("c", { limits: { defaultRequest: { cpu: "50m" } } });
    await h.settled();
    assert.deepEqual(h.names(LIMITS), ["a/small", "c/c-limits"]);
    assert.deepEqual(h.get(LIMITS, "a/small").inputs.spec, {
      limits: [
        { type: "Container", defaultRequest: { memory: "64Mi" }, default: { memory: "128Mi" } },
      ],
    });
  });

  it("rejects unknown resources and malformed quantities", async () => {
    await h.expectInvalid(
      () => new MeshNamespace("x", { limits: { default: { gpu: "1" } } }),
      "limits.default.gpu",
      '"gpu"',
      '"cpu", "memory", "ephemeral-storage"',
    );
    await h.expectInvalid(
      () => new MeshNamespace("y", { limits: { defaultRequest: { memory: "lots" } } }),
      "limits.defaultRequest.memory",
      '"lots"',
      "Kubernetes quantity",
    );
  });

  it("scoped egress always reaches the mesh's tracing collector", async () => {
    new MeshNamespace("shop", {
      egressHosts: ["payments/*"],
      mesh: { tracingService: "jaeger.tracing.svc.cluster.local" },
    });
    await h.settled();
    assert.deepEqual(spec(T.sidecar, "shop/default"), {
      egress: [
        { hosts: ["./*", "istio-system/*", "*/jaeger.tracing.svc.cluster.local", "payments/*"] },
      ],
    });
  });
});
