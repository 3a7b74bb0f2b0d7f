// Owns: the busybox image the client tests run, built locally (no registry): one layer
// made from busybox-static's applets, packed as a tar that is at once an OCI image
// layout (index.json, for `ctr image import` and `podman load`) and a `docker save`
// archive (manifest.json, for dockerd 20.10's `docker load`). Runs in: test.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The name every client knows the image by once it is loaded. */
export const IMAGE_REF = 'localhost/runts-busybox:latest';

export interface ClientImage {
  /** the archive to import/load */
  tar: string;
  ref: string;
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** busybox + applet links + the passwd/group files the clients' --user lookups read. */
function makeRootfs(dir: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'home/user', 'var/empty']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a !== '' && a !== 'busybox');
  for (const a of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/var/empty:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n');
  // podman --read-only mounts a tmpfs with tmpcopyup on /tmp: this file must show up in it.
  fs.writeFileSync(path.join(dir, 'tmp/image-marker'), 'runts-busybox\n');
}

function blob(blobs: string, data: Buffer): { digest: string; size: number } {
  const hex = sha256(data);
  fs.writeFileSync(path.join(blobs, hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** Builds the archive under `workDir` (which the caller removes). */
export function buildImage(workDir: string): ClientImage {
  const rootfs = path.join(workDir, 'rootfs');
  const layout = path.join(workDir, 'layout');
  const blobs = path.join(layout, 'blobs/sha256');
  fs.mkdirSync(blobs, { recursive: true });
  makeRootfs(rootfs);

  const layerTar = path.join(workDir, 'layer.tar');
  execFileSync('tar', ['-C', rootfs, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', layerTar, '.']);
  const layer = blob(blobs, fs.readFileSync(layerTar));
  const config = blob(
    blobs,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], WorkingDir: '/' },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        history: [{ created_by: 'runts test/clients/support/image.ts' }],
      }),
    ),
  );
  const manifest = blob(
    blobs,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    ),
  );
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'io.containerd.image.name': IMAGE_REF, 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  // docker-save form: dockerd 20.10 cannot load an OCI layout, but reads this file.
  fs.writeFileSync(
    path.join(layout, 'manifest.json'),
    JSON.stringify([{ Config: `blobs/sha256/${config.digest.slice(7)}`, RepoTags: [IMAGE_REF], Layers: [`blobs/sha256/${layer.digest.slice(7)}`] }]),
  );
  const tar = path.join(workDir, 'image.tar');
  execFileSync('tar', ['-C', layout, '-cf', tar, '.']);
  return { tar, ref: IMAGE_REF };
}
