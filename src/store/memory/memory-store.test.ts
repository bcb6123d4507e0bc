import { storeContractTests } from '../store-contract.ts';
import { MemoryStore } from './memory-store.ts';

storeContractTests('memory', async () => new MemoryStore());
