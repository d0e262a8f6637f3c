/** Entry point esbuild bundles for the Function App: importing a module registers its functions. */
import "./functions/smoke";
