// The port the end-to-end run uses, shared by the Playwright config and the global setup.

/** Where the real `flowloom serve` listens, serving the built app and the API on one origin. */
export const API_PORT = Number(process.env.FLOWLOOM_E2E_PORT ?? 18765)
/** The app's origin as the browser sees it. */
export const APP_ORIGIN = `http://127.0.0.1:${API_PORT}`
