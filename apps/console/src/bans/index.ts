export { BansPage } from "./BansPage.js";
