// DefaultAzureCredential, as the guide's code uses it: az login, environment / service principal,
// workload identity and managed identity all work. AZURE_TOKEN_CREDENTIALS narrows the chain.
import type { TokenCredential } from "@azure/core-auth";
import type { Cloud } from "./clouds.js";

export async function createCredential(cloud: Cloud): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential({ authorityHost: cloud.authorityHost });
}
