NAME b FREE
ROWS
 N obj
 G r
COLUMNS
 a obj 1 r 1
 b obj 1 r 1
 c obj 1 r 1
 d obj 1
 e obj 1
 f obj 1
 g obj 1
 h obj 1
RHS
 r 1
BOUNDS
 UP BND a -2
 LO BND b -1
 UP BND b -0.5
 FX BND c 7
 FR BND d
 MI BND e
 PL BND f
 LI BND g -4
 UI BND g 9
 UI BND h 1e30
ENDATA
