/** The project's directory (where Pulumi.yaml is), without loading the Pulumi Automation API. */
import { join } from "node:path";

export const PROJECT_ROOT = join(__dirname, "..", "..");
