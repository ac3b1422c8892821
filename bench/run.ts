// `npm run bench`: every benchmark of the project, printed as markdown.
import { runSchedulerBench } from "./scheduler.bench";

runSchedulerBench();
