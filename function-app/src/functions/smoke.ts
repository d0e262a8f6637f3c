/** HTTP function `smoke` (Node v4 programming model): GET /api/smoke?code=<function key>. */
import { app, type HttpFunctionOptions } from "@azure/functions";
import { handleSmokeRequest } from "../smoke-check";

/** Registration options; `authLevel: "function"` so only callers holding a function key can spend model tokens. */
export const SMOKE_FUNCTION_OPTIONS: HttpFunctionOptions = {
  methods: ["GET", "POST"],
  authLevel: "function",
  handler: async (_request, context) => {
    const answer = await handleSmokeRequest();
    context.log(`smoke: ${JSON.stringify(answer.jsonBody)}`);
    return answer;
  },
};

app.http("smoke", SMOKE_FUNCTION_OPTIONS);
