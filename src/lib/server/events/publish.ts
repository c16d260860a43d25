// the write path's way into the stream (commit.ts imports it from here)
export { publish } from './stream/publish';
