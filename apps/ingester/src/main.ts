import { runService } from '@hwp/service-kit';
import { service } from './service';

// A start that fails after the config is read rejects, and Node ends the process with its stack trace.
void runService(service);
