/**
 * `npm run deploy -- [--stack NAME] [pulumi up arguments...]`: the set-up's deploy command.
 * Chooses the state backend (PULUMI_BACKEND_URL, or the project's local file backend), creates the stack on first
 * use (it then takes the defaults declared in Pulumi.yaml), and runs `pulumi up` with the pinned CLI.
 */
import { pulumiEnvironment, runPulumi } from "./lib/pulumi-cli";

/** Splits `--stack NAME` (default: $STACK or dev) from the arguments passed through to `pulumi up`. */
export function deployArguments(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { stack: string; upArgs: string[] } {
  const upArgs: string[] = [];
  let stack = env.STACK || "dev";
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--stack" || arg === "-s") {
      const value = argv[index + 1];
      if (!value || value.startsWith("-")) throw new Error(`${arg} needs a stack name`);
      stack = value;
      index++;
    } else if (arg.startsWith("--stack=")) {
      stack = arg.slice("--stack=".length);
    } else {
      upArgs.push(arg);
    }
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new Error(`stack name ${JSON.stringify(stack)} may only hold letters, digits, '-', '_' and '.'`);
  return { stack, upArgs };
}

async function main(): Promise<number> {
  const { stack, upArgs } = deployArguments(process.argv.slice(2));
  console.log(`State backend: ${pulumiEnvironment().PULUMI_BACKEND_URL}`);
  const select = await runPulumi(["stack", "select", "--create", stack], true);
  if (select.exitCode !== 0) return select.exitCode;
  const up = await runPulumi(["up", "--stack", stack, ...upArgs], true);
  if (up.exitCode === 0)
    console.log(`\nDeployed. Prove every identity can call the model: npm run smoke -- --stack ${stack}`);
  return up.exitCode;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
