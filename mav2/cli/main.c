/* mav2: command-line front end (placeholder until the CLI lands). */
#include <stdio.h>

int main(void)
{
    fputs("mav2: not implemented yet\n", stderr);
    return 2;
}
