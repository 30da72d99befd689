/**
 * The folder of the built package's modules (`dist/`), for the files beside them: the inspector's
 * page and the package's manifest. This module sits at that folder's top, and so does every chunk of
 * the bundled command (`scripts/bundle-cli.js`), so the URL is the same whether it runs from dist/'s
 * modules or from the bundle.
 */
export const DIST_DIR = new URL('./', import.meta.url);
