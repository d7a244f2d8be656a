// supabase.storage: buckets, and from(bucket) for its objects.
import { StorageBucketApi } from './buckets.js';
import { StorageFileApi } from './files.js';

export class StorageClient extends StorageBucketApi {
  from(id) {
    return new StorageFileApi(this.url, this.headers, id, this.fetch);
  }
}
