package dev.lockstep.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;
  private final Random random = new Random();

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void readsRawUnsignedBytesWithAllDimensions() throws IOException {
    byte[] values = randomBytes(5 * 3 * 7);
    Path f = IdxFiles.write(dir, "images-raw", IdxFiles.ubyteFile(values, 5, 3, 7));

    IdxArray a = IdxReader.read(f);

    assertThat(a.type()).isEqualTo(IdxArray.TYPE_UBYTE);
    assertThat(a.dims()).containsExactly(5, 3, 7);
    assertThat(a.count()).isEqualTo(5);
    assertThat(a.itemWidth()).isEqualTo(21);
    assertThat(a.ubytes()).isEqualTo(values);
    assertThat(a.value(0)).isEqualTo(values[0] & 0xFF);
    assertThat(a.source()).isEqualTo(f.toString());
  }

  @Test
  void detectsGzipByMagicNotByName() throws IOException {
    byte[] values = randomBytes(4 * 9);
    byte[] raw = IdxFiles.ubyteFile(values, 4, 9);
    Path gzNoSuffix = IdxFiles.write(dir, "compressed-but-plain-name", IdxFiles.gzip(raw));
    Path rawWithGzSuffix = IdxFiles.write(dir, "plain-but-named.gz", raw);

    assertThat(IdxReader.read(gzNoSuffix).ubytes()).isEqualTo(values);
    assertThat(IdxReader.read(rawWithGzSuffix).ubytes()).isEqualTo(values);
  }

  @Test
  void readsBigEndianFloats() throws IOException {
    float[] values = new float[6 * 5];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian() * 100;
    }
    values[3] = Float.MIN_VALUE;
    values[4] = -0.0f;
    Path f = IdxFiles.write(dir, "floats.gz", IdxFiles.gzip(IdxFiles.floatFile(values, 6, 5)));

    IdxArray a = IdxReader.read(f);

    assertThat(a.type()).isEqualTo(IdxArray.TYPE_FLOAT);
    assertThat(a.dims()).containsExactly(6, 5);
    assertThat(a.ubytes()).isNull();
    for (int i = 0; i < values.length; i++) {
      assertThat(Float.floatToRawIntBits(a.floats()[i])).as("value %d", i).isEqualTo(Float.floatToRawIntBits(values[i]));
    }
  }

  @Test
  void readsOneDimensionalLabelsAndEmptyFiles() throws IOException {
    Path labels = IdxFiles.write(dir, "labels", IdxFiles.ubyteFile(new byte[] {9, 0, (byte) 255}, 3));
    Path empty = IdxFiles.write(dir, "empty", IdxFiles.ubyteFile(new byte[0], 0, 28, 28));

    IdxArray l = IdxReader.read(labels);
    assertThat(l.itemWidth()).isEqualTo(1);
    assertThat(l.value(2)).isEqualTo(255.0);
    assertThat(IdxReader.read(empty).count()).isZero();
  }

  @Test
  void itemWidthReadsTheHeaderOnly() throws IOException {
    // the header promises 1000 items of 3×7 but no data follows: read() would fail, itemWidth() does not look
    Path f = IdxFiles.write(dir, "header-only.gz", IdxFiles.gzip(IdxFiles.header(0x08, 1000, 3, 7)));
    assertThat(IdxReader.itemWidth(f)).isEqualTo(21);
    assertThat(IdxReader.itemWidth(IdxFiles.write(dir, "labels", IdxFiles.ubyteFile(new byte[] {1, 2}, 2))))
        .isEqualTo(1);
    assertThatThrownBy(() -> IdxReader.itemWidth(dir.resolve("nope"))).isInstanceOf(DataException.class)
        .hasMessage("file " + dir.resolve("nope") + ": not found");
    assertThatThrownBy(() -> IdxReader.itemWidth(IdxFiles.write(dir, "junk", new byte[] {1, 2, 3, 4, 5})))
        .isInstanceOf(DataException.class).hasMessageContaining(": bad magic 0x01020304");
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope-idx3-ubyte.gz");
    assertThatThrownBy(() -> IdxReader.read(f))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": not found");
  }

  @Test
  void directoryIsNotAFile() {
    assertThatThrownBy(() -> IdxReader.read(dir)).isInstanceOf(DataException.class)
        .hasMessage("file " + dir + ": not a regular file");
  }

  @Test
  void badMagic() throws IOException {
    byte[] content = IdxFiles.ubyteFile(randomBytes(4), 2, 2);
    content[1] = 0x01;
    Path f = IdxFiles.write(dir, "bad-magic", content);
    assertThatThrownBy(() -> IdxReader.read(f))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("file " + f + ": bad magic 0x0001080")
        .hasMessageNotContaining("\n");
  }

  @Test
  void badMagicInsideGzip() throws IOException {
    Path f = IdxFiles.write(dir, "text.gz", IdxFiles.gzip("hello world".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertThatThrownBy(() -> IdxReader.read(f))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("file " + f + ": bad magic 0x68656C6C");
  }

  @Test
  void unsupportedType() throws IOException {
    byte[] content = IdxFiles.concat(IdxFiles.header(0x0C, 2), new byte[8]); // 0x0C = int32
    Path f = IdxFiles.write(dir, "ints", content);
    assertThatThrownBy(() -> IdxReader.read(f))
        .isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": unsupported IDX data type 0x0C (supported: 0x08 unsigned byte, 0x0D float)");
  }

  @Test
  void zeroDimensions() throws IOException {
    Path f = IdxFiles.write(dir, "scalar", IdxFiles.header(IdxArray.TYPE_UBYTE));
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": IDX header declares 0 dimensions");
  }

  @Test
  void truncatedHeader() throws IOException {
    byte[] header = IdxFiles.header(IdxArray.TYPE_UBYTE, 10, 28, 28);
    Path f = IdxFiles.write(dir, "short-header", Arrays.copyOf(header, 4 + 4 + 2));
    Path tiny = IdxFiles.write(dir, "tiny", new byte[] {0, 0});
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": truncated header (expected 3 dimensions, found 1)");
    assertThatThrownBy(() -> IdxReader.read(tiny)).isInstanceOf(DataException.class)
        .hasMessage("file " + tiny + ": truncated header (expected 4 bytes of magic, found 2)");
  }

  @Test
  void truncatedRawData() throws IOException {
    byte[] header = IdxFiles.header(IdxArray.TYPE_UBYTE, 60000, 28, 28);
    Path f = IdxFiles.write(dir, "cut", IdxFiles.concat(header, randomBytes(1234)));
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": expected 47040000 bytes of data, found 1234");
  }

  @Test
  void truncatedGzipStreamReportsWhatArrived() throws IOException {
    byte[] values = randomBytes(3000);
    byte[] gz = IdxFiles.gzip(IdxFiles.ubyteFile(values, 3000));
    // A gzip file cut in the middle: the inflater stops with an EOF; we still name the shortfall.
    Path f = IdxFiles.write(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessageStartingWith("file " + f + ": expected 3000 bytes of data, found ");
  }

  @Test
  void truncatedFloatData() throws IOException {
    byte[] content = IdxFiles.floatFile(new float[] {1, 2, 3}, 4);
    Path f = IdxFiles.write(dir, "floats", content);
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": expected 16 bytes of data, found 12");
  }

  @Test
  void trailingDataMeansWrongDimensions() throws IOException {
    Path f = IdxFiles.write(dir, "long", IdxFiles.ubyteFile(randomBytes(10), 9));
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": more data after the expected 9 bytes (dimensions [9] do not match the file)");
  }

  @Test
  void hugeDimensionsAreRejectedBeforeAllocating() throws IOException {
    Path f = IdxFiles.write(dir, "huge", IdxFiles.header(IdxArray.TYPE_FLOAT, 100000, 100000));
    Path negative = IdxFiles.write(dir, "neg", IdxFiles.header(IdxArray.TYPE_UBYTE, -1));
    assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(DataException.class)
        .hasMessage("file " + f + ": dimensions [100000, 100000] are too large for one array");
    assertThatThrownBy(() -> IdxReader.read(negative)).isInstanceOf(DataException.class)
        .hasMessage("file " + negative + ": dimension 0 is 4294967295, too large");
  }
}
