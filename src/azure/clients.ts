// Builds the published Azure SDK clients with miauth's endpoint, token scope and pipeline policies.
// The SDK packages are imported lazily so `miauth --help` and `--version` stay fast.
import type { ContainerAppsAPIClient } from "@azure/arm-appcontainers";
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { ManagedServiceIdentityClient } from "@azure/arm-msi";
import type { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { StorageManagementClient } from "@azure/arm-storage";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient, PipelinePolicy } from "@azure/core-rest-pipeline";
import type { AppSettingsOps } from "./app-settings-client.js";
import type { Cloud } from "./clouds.js";
import { loadPipeline } from "./errors.js";
import { MAX_RETRIES } from "./policies.js";
import type { VirtualMachines } from "./virtual-machines.js";
import type { WebApps } from "./web-apps.js";

export interface ClientSettings {
  credential: TokenCredential;
  cloud: Cloud;
  /** The ARM base URL; differs from cloud.armEndpoint when --arm-endpoint is given. */
  armEndpoint: string;
  policies: PipelinePolicy[];
  userAgent: string;
}

export interface ArmClients {
  /** The ARM base URL the clients send to (for the few requests no pinned SDK package offers). */
  armEndpoint: string;
  web(subscriptionId: string): Promise<WebApps>;
  compute(subscriptionId: string): Promise<VirtualMachines>;
  subscriptions(): Promise<SubscriptionClient>;
  authorization(subscriptionId: string): Promise<AuthorizationManagementClient>;
  storage(subscriptionId: string): Promise<StorageManagementClient>;
  /** A site's app settings (list and replace). */
  appSettings(subscriptionId: string): Promise<AppSettingsOps>;
  /** User-assigned identities and their federated identity credentials (Microsoft.ManagedIdentity). */
  msi(subscriptionId: string): Promise<ManagedServiceIdentityClient>;
  /** Microsoft.App container apps (@azure/arm-appcontainers). */
  containerApps(subscriptionId: string): Promise<ContainerAppsAPIClient>;
}

// Short first delay for 5xx and resets; 429s wait as retryNoticePolicy (policies.ts) decides.
const retryOptions = { maxRetries: MAX_RETRIES, retryDelayInMs: 500, maxRetryDelayInMs: 8000 };

/** Each SDK package is imported the first time a client of it is needed (they take 85-145 ms each). */
export function createArmClients(s: ClientSettings): ArmClients {
  const additionalPolicies = s.policies.map((policy) => ({ policy, position: "perRetry" as const }));
  const userAgentOptions = { userAgentPrefix: s.userAgent };
  // One HTTP client (one pool of connections) shared by every SDK client: each would otherwise open its
  // own TLS connection to ARM, a TCP and a TLS handshake more (two or three round trips) for each SDK
  // package a command uses (verify: App Service, storage and authorization).
  const shared = { httpClient: undefined as HttpClient | undefined };
  const modular = {
    endpoint: s.armEndpoint,
    credentials: { scopes: [s.cloud.armScope] },
    additionalPolicies,
    retryOptions,
    userAgentOptions,
    get httpClient() {
      return shared.httpClient;
    },
  };
  // The older generated clients: without credentialScopes they would ask for "{endpoint}/.default".
  const classic = {
    endpoint: s.armEndpoint,
    credentialScopes: [s.cloud.armScope],
    additionalPolicies,
    retryOptions,
    userAgentOptions,
    get httpClient() {
      return shared.httpClient;
    },
  };
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    // The pipeline first, for the error reader (errors.ts), should a client ever come before the credential.
    if (!cache.has(key))
      cache.set(
        key,
        loadPipeline().then((pipeline) => {
          shared.httpClient ??= pipeline.createDefaultHttpClient();
          return make();
        }),
      );
    return cache.get(key) as Promise<T>;
  };
  return {
    armEndpoint: s.armEndpoint,
    web: (sub) =>
      once(`web/${sub}`, async () => {
        // Four operations, not the whole client: ~100 KB of code to load instead of ~800 KB.
        const { createWebApps } = await import("./web-apps.js");
        return createWebApps(s.credential, sub, modular);
      }),
    compute: (sub) =>
      once(`compute/${sub}`, async () => {
        // Two operations, not the whole client (as for sites).
        const { createVirtualMachines } = await import("./virtual-machines.js");
        return createVirtualMachines(s.credential, sub, modular);
      }),
    subscriptions: () =>
      once("subscriptions", async () => {
        const { SubscriptionClient } = await import("@azure/arm-resources-subscriptions");
        return new SubscriptionClient(s.credential, classic);
      }),
    authorization: (sub) =>
      once(`authorization/${sub}`, async () => {
        const { AuthorizationManagementClient } = await import("@azure/arm-authorization");
        return new AuthorizationManagementClient(s.credential, sub, classic);
      }),
    appSettings: (sub) =>
      once(`appSettings/${sub}`, async () => {
        const { createAppSettingsOps } = await import("./app-settings-client.js");
        return createAppSettingsOps(s.credential, sub, modular);
      }),
    msi: (sub) =>
      once(`msi/${sub}`, async () => {
        const { ManagedServiceIdentityClient } = await import("@azure/arm-msi");
        return new ManagedServiceIdentityClient(s.credential, sub, classic);
      }),
    storage: (sub) =>
      once(`storage/${sub}`, async () => {
        const { StorageManagementClient } = await import("@azure/arm-storage");
        return new StorageManagementClient(s.credential, sub, classic);
      }),
    containerApps: (sub) =>
      once(`containerApps/${sub}`, async () => {
        const { ContainerAppsAPIClient } = await import("@azure/arm-appcontainers");
        return new ContainerAppsAPIClient(s.credential, sub, classic);
      }),
  };
}
