export type ImageErrorCode =
  /** A reference that is not a Docker image reference, or a config change that does not parse. */
  | 'INVALID_REFERENCE'
  | 'INVALID_CHANGE'
  /** No local image has this reference (there is no registry client). */
  | 'NO_SUCH_IMAGE'
  | 'IMAGE_EXISTS'
  /** Docker's conflict: a container uses the image. */
  | 'IMAGE_IN_USE'
  /** An import whose tarball cannot be read or extracted. */
  | 'IMPORT_FAILED'
  /** Making or changing an image on disk failed. */
  | 'IMAGE_FAILED'
  /** An image record (image.json) that cannot be read: named, and never hiding the others. */
  | 'CORRUPT_IMAGE'
  /** A container layer that cannot be mounted or unmounted. */
  | 'MOUNT_FAILED';

/** The one error class of @execdriver/images: the message names the reference, file or path. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
