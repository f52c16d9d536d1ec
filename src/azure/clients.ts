// Builds the published Azure SDK clients with miauth's endpoint, token scope and pipeline policies.
// The SDK packages are imported lazily so `miauth --help` and `--version` stay fast.
import type { WebSiteManagementClient } from "@azure/arm-appservice";
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { Cloud } from "./clouds.js";

export interface ClientSettings {
  credential: TokenCredential;
  cloud: Cloud;
  /** The ARM base URL; differs from cloud.armEndpoint when --arm-endpoint is given. */
  armEndpoint: string;
  policies: PipelinePolicy[];
  userAgent: string;
}

export interface ArmClients {
  web(subscriptionId: string): WebSiteManagementClient;
  compute(subscriptionId: string): ComputeManagementClient;
  subscriptions(): SubscriptionClient;
}

// Short first delay: ARM's 429s carry Retry-After, which the SDK's throttling policy honours anyway.
const retryOptions = { maxRetries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 8000 };

export async function createArmClients(s: ClientSettings): Promise<ArmClients> {
  const [web, compute, subs] = await Promise.all([
    import("@azure/arm-appservice"),
    import("@azure/arm-compute"),
    import("@azure/arm-resources-subscriptions"),
  ]);
  const additionalPolicies = s.policies.map((policy) => ({ policy, position: "perRetry" as const }));
  const modular = {
    endpoint: s.armEndpoint,
    credentials: { scopes: [s.cloud.armScope] },
    additionalPolicies,
    retryOptions,
    userAgentOptions: { userAgentPrefix: s.userAgent },
  };
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    web: (sub) => once(`web/${sub}`, () => new web.WebSiteManagementClient(s.credential, sub, modular)),
    compute: (sub) =>
      once(`compute/${sub}`, () => new compute.ComputeManagementClient(s.credential, sub, modular)),
    subscriptions: () =>
      once(
        "subscriptions",
        () =>
          new subs.SubscriptionClient(s.credential, {
            endpoint: s.armEndpoint,
            credentialScopes: [s.cloud.armScope],
            additionalPolicies,
            retryOptions,
            userAgentOptions: { userAgentPrefix: s.userAgent },
          }),
      ),
  };
}
