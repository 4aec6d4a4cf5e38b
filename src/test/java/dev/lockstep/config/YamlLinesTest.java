package dev.lockstep.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class YamlLinesTest {
  private static final YamlLines LINES = YamlLines.of(String.join("\n",
      "# comment",                              // 1
      "run:",                                   // 2
      "  name: x",                              // 3
      "",                                       // 4
      "model:",                                 // 5
      "  layers:",                              // 6
      "    - {type: linear, units: 3}",         // 7
      "    - type: relu",                       // 8
      "    -",                                  // 9
      "      type: linear",                     // 10
      "      units: 2",                         // 11
      "optimizer: {lr: 0.1, schedule: {type: step,", // 12
      "  gamma: 0.5}}",                         // 13
      "tags: [a, b]",                           // 14
      ""));

  @Test
  void keysAreOnTheirOwnLine() {
    assertThat(LINES.line("run")).contains(2);
    assertThat(LINES.line("run.name")).contains(3);
    assertThat(LINES.line("model.layers")).contains(6);
    assertThat(LINES.line("optimizer.schedule.gamma")).contains(13);
    assertThat(LINES.line("optimizer.schedule.type")).contains(12);
  }

  @Test
  void listElementsStartWhereTheirFirstTokenIs() {
    assertThat(LINES.line("model.layers[0]")).contains(7);
    assertThat(LINES.line("model.layers[0].units")).contains(7);
    assertThat(LINES.line("model.layers[1]")).contains(8);
    assertThat(LINES.line("model.layers[2]")).contains(10); // the mapping begins at its first key
    assertThat(LINES.line("model.layers[2].units")).contains(11);
    assertThat(LINES.line("tags[1]")).contains(14);
  }

  @Test
  void absentPathsHaveNoLine() {
    assertThat(LINES.line("model.layers[3]")).isEmpty();
    assertThat(LINES.line("run.seed")).isEmpty();
    assertThat(LINES.line("")).isEmpty();
  }
}
