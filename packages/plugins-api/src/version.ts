/** The plugin API version this package describes; plugins declare a range of it in `engines.autostun`. */
export const API_VERSION = "1.9.0";
