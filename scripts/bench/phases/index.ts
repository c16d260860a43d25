import type { Phase } from '../lib/context';
import { flood } from './flood';
import { imports } from './imports';
import { indicators } from './indicators';
import { ingest } from './ingest';
import { ledger } from './ledger';
import { live } from './live';
import { reads } from './reads';
import { suggestions } from './suggestions';
import { wall } from './wall';

/**
 * The bench's phases in the order they run: the map page first, on the data as seeded (its
 * colour change needs a county one event moves across a legend break); reads after live and
 * ingest (the replay reads what they posted); indicators last (the counters must agree after
 * every write, imports' included); dispatch suggestions after reads, on the same data; the flood
 * of one reader's heavy reads after the read figures it would disturb. A later capability
 * (ledger pages) adds its phase here.
 */
export const PHASES: Phase[] = [wall, live, ingest, reads, suggestions, flood, ledger, imports, indicators];
