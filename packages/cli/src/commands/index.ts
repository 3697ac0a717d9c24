import type { Command } from './command';
import { checkpoint } from './checkpoint';
import { consistency } from './consistency';
import { exportCommand } from './export';
import { importCommand } from './import';
import { receipt } from './receipt';
import { keygen } from './keygen';
import { prove } from './prove';
import { replay } from './replay';
import { report } from './report';
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
