package dev.lockstep.lm;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;

/** Moves the leading floats of a backend buffer to and from a reusable host array (grown when too short). */
final class HostCopy {
  private float[] host = new float[0];

  /** The first {@code n} floats of {@code buf}, in an array this object reuses (valid until the next call). */
  float[] get(Backend be, Buf buf, long n) {
    float[] a = array((int) n);
    be.download(buf.view(0, n), a, 0);
    return a;
  }

  /** A scratch array of at least {@code n} floats (contents undefined). */
  float[] array(int n) {
    if (host.length < n) {
      host = new float[n];
    }
    return host;
  }

  static void put(Backend be, float[] src, Buf dst, long n) {
    be.upload(src, 0, dst.view(0, n));
  }
}
