/** Which stacks are throwaway test stacks: what destroy and stale-stacks both decide by. */

/** Short name of a possibly qualified stack name (`org/project/pr-12` → `pr-12`). */
export function shortStackName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** Test stacks are throwaway: `pr-<number>` by name (lib/config.ts uses the same rule for the `testStack` output). */
export const TEST_STACK_NAME = /^pr-\d+$/;
