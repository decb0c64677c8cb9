import { runService } from '@hwp/service-kit';
import { service } from './service';

void runService(service);
