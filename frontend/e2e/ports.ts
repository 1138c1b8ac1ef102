// The ports the end-to-end run uses, shared by the Playwright config and the global setup.

/** Where `vite preview` serves the built app (the browser's only origin). */
export const PREVIEW_PORT = Number(process.env.FLOWLOOM_PREVIEW_PORT ?? 4173)
/** Where the real `flowloom serve` listens (reached through the preview's proxy). */
export const API_PORT = Number(process.env.FLOWLOOM_E2E_API_PORT ?? 8765)
/** The app's origin as the browser sees it. */
export const APP_ORIGIN = `http://127.0.0.1:${PREVIEW_PORT}`
