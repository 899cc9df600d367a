export { ConnectionsPage } from "./ConnectionsPage.js";
