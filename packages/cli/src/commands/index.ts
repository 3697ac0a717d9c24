import type { Command } from './command';
import { checkpoint } from './checkpoint';
import { consistency } from './consistency';
import { explain } from './explain';
import { exportCommand } from './export';
import { history } from './history';
import { importCommand } from './import';
import { receipt } from './receipt';
import { keygen } from './keygen';
import { prove } from './prove';
import { replay } from './replay';
import { report } from './report';
import { requests } from './requests';
import { retention } from './retention';
import { stats } from './stats';
import { verify } from './verify';
import { violations } from './violations';
import { witness } from './witness';

export const COMMANDS: readonly Command[] = [
  verify,
  replay,
  report,
  violations,
  exportCommand,
  stats,
  explain,
  history,
  requests,
  keygen,
  checkpoint,
  prove,
  consistency,
  witness,
  receipt,
  importCommand,
  retention,
];

export { EXIT, type Command, type CommandContext, type LedgerlessContext } from './command';
