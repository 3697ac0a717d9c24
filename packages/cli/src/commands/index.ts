import type { Command } from './command';
import { exportCommand } from './export';
import { receipt } from './receipt';
import { replay } from './replay';
import { report } from './report';
import { stats } from './stats';
import { verify } from './verify';
import { violations } from './violations';

export const COMMANDS: readonly Command[] = [verify, replay, report, violations, exportCommand, stats, receipt];

export { EXIT, type Command, type CommandContext } from './command';
