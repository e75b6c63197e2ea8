package dev.jbuild.layercache.tar;

/** The kinds of tar entries a layer holds, with their ustar type flags. */
public enum EntryType {
  FILE('0'),
  HARDLINK('1'),
  SYMLINK('2'),
  CHAR('3'),
  BLOCK('4'),
  DIR('5'),
  FIFO('6');

  private final char flag;

  EntryType(char flag) {
    this.flag = flag;
  }

  /** The ustar type flag byte. */
  public char flag() {
    return flag;
  }

  /** True for character and block devices. */
  public boolean isDevice() {
    return this == CHAR || this == BLOCK;
  }
}
