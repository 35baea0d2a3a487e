#define OSARCH_GIT "704bb78573c6-dirty"
