export { ImageError, type ImageErrorCode } from './errors.js';
export { parseImageReference, canonicalReference, defaultDomain, type ImageReference } from './reference.js';
export { applyImageChanges, changeInstructions, defaultProcessArgs, type ImageConfig } from './image-config.js';
export { ImageStore, builtinImage, type Image, type ImageRecord, type BrokenImage, type ImageStoreOptions, type ImageUser } from './store.js';
export { extractTarball, tarFailure, type ImportProgress, type TarballSource } from './import-tarball.js';
export { buildBusyboxRootfs, busyboxImageConfig } from './busybox.js';
export { remappedImageRootfs } from './userns-rootfs.js';
export { containerLayerPaths, mountContainerLayer, mountPointsUnder, removeContainerLayer, unmountUnder } from './layers.js';
