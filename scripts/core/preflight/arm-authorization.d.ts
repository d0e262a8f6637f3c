/**
 * Types for @azure/arm-authorization 9.0.0. Its package.json names `types/arm-authorization.d.ts`, but the published
 * tarball has no `types/` folder (check: `npm pack @azure/arm-authorization@9.0.0 --dry-run`), so TypeScript finds no
 * declarations. The same package ships the generated declarations under `dist-esm/src/`; this re-exports them for
 * the CommonJS entry (`dist/index.js`) that Node loads.
 */
declare module "@azure/arm-authorization" {
  export * from "@azure/arm-authorization/dist-esm/src/index";
}
