import { strict as assert } from "assert";
import { safetyNotes } from "../../cli/diff-safety";
import { Entity } from "../../cli/render-reader";

type Json = Record<string, unknown>;

const k8s = (
  apiVersion: string,
  kind: string,
  name: string,
  spec?: Json,
  labels?: Json,
): Entity => ({
  key: `${kind}/${name}`,
  kind: "kubernetes",
  title: `${kind} shop/${name}`,
  body: { apiVersion, kind, metadata: { name, namespace: "shop", labels }, spec },
});
const policy = (spec: Json) => k8s("security.istio.io/v1", "AuthorizationPolicy", "p", spec);
const rule = (source: Json, operation?: Json) => ({
  from: [{ source }],
  ...(operation ? { to: [{ operation }] } : {}),
});

describe("cli/diff-safety", () => {
  // [what, before, after, notes]
  const cases: [string, Entity | undefined, Entity | undefined, string[]][] = [
    [
      "a deny-all ALLOW policy removed",
      policy({}),
      undefined,
      [
        "access widened: deny-all policy AuthorizationPolicy shop/p removed (deny by default no longer holds)",
      ],
    ],
    [
      "a DENY policy removed",
      policy({ action: "DENY", rules: [rule({ namespaces: ["x"] })] }),
      undefined,
      ["access widened: DENY policy AuthorizationPolicy shop/p removed"],
    ],
    [
      "an ALLOW policy added",
      undefined,
      policy({ rules: [rule({ namespaces: ["a"] })] }),
      ["access widened: AuthorizationPolicy shop/p allows namespaces=a"],
    ],
    [
      "a rule's operation restriction dropped",
      policy({ rules: [rule({ namespaces: ["a"] }, { methods: ["GET"] })] }),
      policy({ rules: [rule({ namespaces: ["a"] })] }),
      ["access widened: AuthorizationPolicy shop/p rules[0] no longer restricted by to.methods"],
    ],
    [
      "a rule added",
      policy({ rules: [rule({ namespaces: ["a"] })] }),
      policy({ rules: [rule({ namespaces: ["a"] }), {}] }),
      ["access widened: AuthorizationPolicy shop/p rules[1] added, allows any source"],
    ],
    [
      "a principal removed (narrower)",
      policy({ rules: [rule({ principals: ["a", "b"] })] }),
      policy({ rules: [rule({ principals: ["a"] })] }),
      [],
    ],
    [
      "an exclusion added (narrower)",
      policy({ rules: [rule({ namespaces: ["a"] })] }),
      policy({ rules: [rule({ namespaces: ["a"], notPrincipals: ["x"] })] }),
      [],
    ],
    [
      "an exclusion removed",
      policy({ rules: [rule({ namespaces: ["a"], notPrincipals: ["x"] })] }),
      policy({ rules: [rule({ namespaces: ["a"] })] }),
      ["access widened: AuthorizationPolicy shop/p rules[0] no longer excludes from.principals=x"],
    ],
    [
      "a STRICT PeerAuthentication removed",
      k8s("security.istio.io/v1", "PeerAuthentication", "default", { mtls: { mode: "STRICT" } }),
      undefined,
      ["mTLS relaxed: STRICT PeerAuthentication shop/default removed"],
    ],
    [
      "a port relaxed to DISABLE",
      k8s("security.istio.io/v1", "PeerAuthentication", "default", { mtls: { mode: "STRICT" } }),
      k8s("security.istio.io/v1", "PeerAuthentication", "default", {
        mtls: { mode: "STRICT" },
        portLevelMtls: { "8080": { mode: "DISABLE" } },
      }),
      ["mTLS relaxed: PeerAuthentication shop/default STRICT -> DISABLE"],
    ],
    [
      "a DestinationRule leaving ISTIO_MUTUAL",
      k8s("networking.istio.io/v1", "DestinationRule", "d", {
        trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
      }),
      k8s("networking.istio.io/v1", "DestinationRule", "d", {
        trafficPolicy: { tls: { mode: "DISABLE" } },
      }),
      ["mTLS relaxed: DestinationRule shop/d tls ISTIO_MUTUAL -> DISABLE"],
    ],
    [
      "a Knative Service losing cluster-local visibility",
      k8s(
        "serving.knative.dev/v1",
        "Service",
        "s",
        {},
        {
          "networking.knative.dev/visibility": "cluster-local",
        },
      ),
      k8s("serving.knative.dev/v1", "Service", "s", {}),
      [
        "public host added: Service shop/s is reachable through the Knative ingress (not cluster-local)",
      ],
    ],
    [
      "a CRD removed",
      {
        key: "crd",
        kind: "kubernetes",
        title: "CustomResourceDefinition functions.openfaas.com",
        body: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
      },
      undefined,
      [
        "destructive: CustomResourceDefinition functions.openfaas.com removed: deleting it deletes every custom resource of its kind",
      ],
    ],
    [
      "a CRD-bearing release removed",
      {
        key: "helm",
        kind: "helm",
        title: "Helm release istio-system/istio-base",
        body: { chart: "istio-release/base" },
      },
      undefined,
      [
        "destructive: Helm release istio-system/istio-base removed (or renamed): chart istio-release/base installs CRDs; uninstalling it can delete them and every custom resource of their kinds",
      ],
    ],
    [
      "another release removed",
      {
        key: "helm",
        kind: "helm",
        title: "Helm release logging/fluentd",
        body: { chart: "fluent/fluentd" },
      },
      undefined,
      [],
    ],
    [
      "a function URL without auth",
      {
        key: "u",
        kind: "aws",
        title: "AWS url",
        body: { inputs: { authorizationType: "AWS_IAM" } },
      },
      { key: "u", kind: "aws", title: "AWS url", body: { inputs: { authorizationType: "NONE" } } },
      ["public host added: AWS url accepts unauthenticated calls (auth NONE)"],
    ],
  ];
  for (const [what, before, after, notes] of cases)
    it(`GIVEN ${what} THEN ${notes.length ? "a note" : "no note"}`, () => {
      assert.deepEqual(safetyNotes(before, after), notes);
    });
});
