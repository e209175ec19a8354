NAME          SMALL
OBJSENSE
    MAX
ROWS
 N  obj
 L  c1
 L  c2
 L  c3
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    a         obj       5.0   c1        2.0
    a         c2        4.0   c3        3.0
    b         obj       4.0   c1        3.0
    b         c2        1.0   c3        4.0
    c         obj       3.0   c1        1.0
    c         c2        2.0   c3        2.0
    MARKER                 'MARKER'                 'INTEND'
RHS
    rhs       c1        5.0   c2        11.0
    rhs       c3        8.0
BOUNDS
 UP bnd       a         10
 UP bnd       b         10
 UP bnd       c         10
ENDATA
