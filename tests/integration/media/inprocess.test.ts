import { mediaSuite } from "./helpers/suite.js";
import { startInProcess } from "./helpers/modes.js";

mediaSuite("media in-process (worker threads)", () => startInProcess(41000));
