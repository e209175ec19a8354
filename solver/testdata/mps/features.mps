* every section the reader knows
NAME test model
OBJSENSE
    MAX
ROWS
 N  cost
 L  lim
 G  low
 E  eq
 E  band
 N  other
LAZYCONS
 L  lazy1
COLUMNS
 x cost 1 lim 2
 x other 5 lazy1 1
 MARKER 'MARKER' 'INTORG'
 y cost -3.5 low 1
 y eq 4
 MARKER 'MARKER' 'INTEND'
 z lim 1e-3 band 1
RHS
 RHS cost 10
 RHS lim 8 low 2
 RHS eq 3 band -1
 RHS lazy1 1
RANGES
 RNG band -2.5 lim 4
BOUNDS
 UP BND x 4
 MI BND z
 UP BND z 7
 BV BND y
ENDATA
