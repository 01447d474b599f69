// class-transformer ships its types apart from its code (types/, cjs/): this names the module that
// holds the metadata its decorators record, the one its own `plainToInstance` reads.
declare module 'class-transformer/cjs/storage.js' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage.js';
}
